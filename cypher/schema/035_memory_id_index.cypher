// Lookups of a referenced id among the memories a caller may see (own first, then shared).
CREATE INDEX memory_id IF NOT EXISTS FOR (m:Memory) ON (m.id)
