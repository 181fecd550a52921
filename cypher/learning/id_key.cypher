// The installation's secret key for opaque ids (engram.learning.naming.keyed_id), if it was made.
OPTIONAL MATCH (i:Installation {name: 'engram'})
RETURN i.id_key AS key
