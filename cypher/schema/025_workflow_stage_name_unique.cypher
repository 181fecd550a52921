CREATE CONSTRAINT workflow_stage_name_unique IF NOT EXISTS FOR (s:WorkflowStage) REQUIRE s.name IS UNIQUE
