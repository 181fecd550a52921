CREATE INDEX share_request_owner IF NOT EXISTS FOR (r:ShareRequest) ON (r.owner_id, r.status)
