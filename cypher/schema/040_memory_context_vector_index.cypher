CREATE VECTOR INDEX memory_context_embedding IF NOT EXISTS
FOR (m:Memory) ON m.context_embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
