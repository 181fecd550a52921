CREATE INDEX audit_event_on_behalf IF NOT EXISTS FOR (e:AuditEvent) ON (e.on_behalf_of)
