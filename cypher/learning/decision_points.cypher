// Decisions (and successes) with an action and an outcome: the input of success-pattern analysis.
MATCH (m:Memory)
WHERE (m:Decision OR m:Success) AND m.outcome IS NOT NULL
  AND coalesce(m.chosen_action, m.successful_approach) IS NOT NULL
RETURN m.id AS id, coalesce(m.chosen_action, m.successful_approach) AS action, m.success_rate AS quality,
       coalesce(m.occurrences, 1) AS occurrences, m.agent_id AS agent_id
