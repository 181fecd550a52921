CREATE VECTOR INDEX decision_template_embedding IF NOT EXISTS
FOR (t:DecisionTemplate) ON t.embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
