CREATE CONSTRAINT audit_head_id_unique IF NOT EXISTS FOR (h:AuditHead) REQUIRE h.id IS UNIQUE
