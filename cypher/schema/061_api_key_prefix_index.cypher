CREATE INDEX api_key_prefix IF NOT EXISTS FOR (k:ApiKey) ON (k.prefix)
