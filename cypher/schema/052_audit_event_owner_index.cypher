CREATE INDEX audit_event_owner IF NOT EXISTS FOR (e:AuditEvent) ON (e.owner_id)
