// Decisions that carried a prediction, with what actually happened (for calibration).
MATCH (d:Memory:Decision)
WHERE ($agent_id IS NULL OR d.agent_id = $agent_id)
  AND d.predicted_success IS NOT NULL AND d.success_rate IS NOT NULL
RETURN d.predicted_success AS predicted, d.success_rate AS observed
