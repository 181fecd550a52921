CREATE CONSTRAINT decision_template_id_unique IF NOT EXISTS FOR (t:DecisionTemplate) REQUIRE t.id IS UNIQUE
