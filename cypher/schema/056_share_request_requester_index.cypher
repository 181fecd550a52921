CREATE INDEX share_request_requester IF NOT EXISTS FOR (r:ShareRequest) ON (r.requester_id, r.status)
