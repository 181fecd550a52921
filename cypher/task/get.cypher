MATCH (t:Task {id: $id})
OPTIONAL MATCH (t)-[:RESULTED_IN]->(r:ExecutionResult)
WITH t, r ORDER BY r.finished_at
RETURN t {.*} AS task, collect(r {.*}) AS results
