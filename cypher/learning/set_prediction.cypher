MATCH (d:Memory {id: $memory_id})
SET d.predicted_success = $predicted
