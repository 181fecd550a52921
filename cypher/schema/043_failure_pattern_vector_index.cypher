CREATE VECTOR INDEX failure_pattern_embedding IF NOT EXISTS
FOR (p:FailurePattern) ON p.embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
