SHOW INDEXES YIELD name, type, state, populationPercent, labelsOrTypes, properties
WHERE type IN ['VECTOR', 'FULLTEXT', 'RANGE']
RETURN name, type, state, populationPercent, labelsOrTypes, properties
ORDER BY name
