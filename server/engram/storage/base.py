"""The one way repositories run catalog queries: named statement, $params, errors translated."""

from __future__ import annotations

from typing import Any

import neo4j

from engram.config import Settings
from engram.storage.catalog import catalog_for
from engram.storage.connection import map_driver_errors


class Repository:
    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.database = settings.neo4j_database
        self.queries = catalog_for(settings.cypher_dir)
        self.uri = settings.bolt_uri

    def _read(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(
                self.queries.get(name), params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return records

    def _write(self, name: str, /, **params: Any) -> list[neo4j.Record]:
        with map_driver_errors(self.uri):
            records, _, _ = self.driver.execute_query(self.queries.get(name), params, database_=self.database)
        return records
