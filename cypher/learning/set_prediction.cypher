// The success probability an agent expected for its own decision (calibration).
MATCH (d:Memory:Decision {id: $memory_id, agent_id: $agent_id})
SET d.predicted_success = $predicted
