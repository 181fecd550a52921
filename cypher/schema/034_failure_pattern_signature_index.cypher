CREATE INDEX failure_pattern_signature IF NOT EXISTS FOR (p:FailurePattern) ON (p.signature)
