"""Fetches Neo4j community and builds the GDS plugin from Maven Central, once per version pair."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from engram.config import Settings
from engram.errors import DatabaseStartError, ToolMissingError

_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
SUPPORTED_JAVA = (17, 21)


def _pom_property(pom: Path, name: str) -> str:
    node = ET.parse(pom).getroot().find(f"m:properties/m:{name}", _POM_NS)
    if node is None or not node.text:
        raise DatabaseStartError(f"{pom} has no <{name}> property")
    return node.text.strip()


def require_tool(name: str, purpose: str) -> str:
    """Path of `name` on PATH, or a clear error saying what it is needed for."""
    path = shutil.which(name)
    if path is None:
        raise ToolMissingError(
            f"`{name}` was not found on PATH; it is needed to {purpose}.",
            hint="Install Java 17 and Maven (apt-get install openjdk-17-jdk-headless maven), "
            "or point NEO4J_URI at a Neo4j you run yourself.",
        )
    return path


def java_major_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ToolMissingError(f"Could not read the Java version from `{java} -version`.")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


@dataclass(frozen=True)
class Distribution:
    """Where the assembled server lives: jars in lib/, the GDS plugin in plugins/."""

    root: Path
    neo4j_version: str
    gds_version: str

    @property
    def lib_dir(self) -> Path:
        return self.root / "lib"

    @property
    def plugins_dir(self) -> Path:
        return self.root / "plugins"

    @property
    def ready_marker(self) -> Path:
        return self.root / ".complete"

    @property
    def is_ready(self) -> bool:
        return self.ready_marker.exists()

    def classpath(self) -> str:
        return f"{self.lib_dir}/*:{self.plugins_dir}/*"


def distribution_for(settings: Settings) -> Distribution:
    runtime = settings.runtime_dir
    neo4j_version = _pom_property(runtime / "pom.xml", "neo4j.version")
    gds_version = _pom_property(runtime / "gds" / "pom.xml", "gds.version")
    root = settings.home / "dist" / f"neo4j-{neo4j_version}-gds-{gds_version}"
    return Distribution(root=root, neo4j_version=neo4j_version, gds_version=gds_version)


def ensure_distribution(settings: Settings, *, log=print) -> Distribution:
    """Assemble the server classpath and the GDS plugin unless already done; idempotent."""
    dist = distribution_for(settings)
    if dist.is_ready:
        return dist
    java = require_tool("java", "run the Neo4j server")
    if java_major_version(java) not in SUPPORTED_JAVA:
        raise ToolMissingError(f"Neo4j 5.26 needs Java 17 or 21; `{java}` is Java {java_major_version(java)}.")
    mvn = require_tool("mvn", "fetch Neo4j and the Graph Data Science library from Maven Central")

    staging = dist.root.with_name(dist.root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "plugins").mkdir(parents=True)
    runtime = settings.runtime_dir
    log(f"Fetching Neo4j {dist.neo4j_version} from Maven Central ...")
    _run_maven(
        [mvn, "-q", "-B", "-f", str(runtime / "pom.xml"), "dependency:copy-dependencies",
         f"-DoutputDirectory={staging / 'lib'}", "-DincludeScope=runtime"]
    )
    log(f"Building the Graph Data Science {dist.gds_version} plugin (shaded) ...")
    build_dir = settings.home / "build" / "gds"
    _run_maven([mvn, "-q", "-B", "-f", str(runtime / "gds" / "pom.xml"), "package", f"-Dengram.build.dir={build_dir}"])
    plugin = build_dir / f"open-gds-{dist.gds_version}.jar"
    if not plugin.exists():
        raise DatabaseStartError(f"Maven finished but {plugin} is missing.")
    shutil.copy2(plugin, staging / "plugins" / plugin.name)

    shutil.rmtree(dist.root, ignore_errors=True)
    staging.rename(dist.root)
    dist.ready_marker.write_text(f"neo4j={dist.neo4j_version}\ngds={dist.gds_version}\n")
    return dist


def _run_maven(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise DatabaseStartError(f"Maven failed ({' '.join(command[3:5])}):\n{tail}")
