// Make the installation's secret key for opaque ids on first use (randomUUID: 244 random bits), or read the
// one a concurrent process made first (the name is unique). Never shown to anybody.
MERGE (i:Installation {name: 'engram'})
  ON CREATE SET i.id_key = randomUUID() + randomUUID(), i.created_at = datetime()
RETURN i.id_key AS key
