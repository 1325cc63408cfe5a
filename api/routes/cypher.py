"""POST /cypher: a read-only Cypher query on the configured Neo4j. The rules live in :mod:`kg.cypher`.

Why so thin: refusing write clauses (before anything is sent), the READ session, the
timeout, the row cap and the mapping of driver errors are plain functions there,
unit-tested without HTTP. Neo4j is configured at start-up from the app's settings
(``neo4j_uri``, ``neo4j_user``, ``neo4j_password``, ``neo4j_database``, ``cypher_timeout``,
``cypher_max_rows``) or the environment (``IMPC_KG_NEO4J_URI``, ``_USER``, ``_PASSWORD``,
``_DATABASE``, ``IMPC_KG_CYPHER_TIMEOUT``, ``IMPC_KG_CYPHER_MAX_ROWS``). Without one, or
while it is unreachable, the endpoint answers 503 with what to do; the driver
reconnects by itself, so the endpoint recovers when Neo4j is back.

The endpoint is a plain ``def``: FastAPI runs it in its thread pool, where the
blocking driver call does not hold up the event loop.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from kg import cypher


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Read the Neo4j settings once; the driver itself is created on the first query."""
    app.state.cypher = cypher.CypherService(
        cypher.CypherSettings.from_settings(getattr(app.state, "settings", None)))
    try:
        yield
    finally:
        app.state.cypher.close()


router = APIRouter(tags=["cypher"], lifespan=lifespan)


class CypherRequest(BaseModel):
    query: str = Field(..., max_length=cypher.MAX_QUERY_CHARS,
                       description="one read-only Cypher statement; labels and types are Biolink CURIEs, "
                                   "backticked: MATCH (g:`biolink:Gene` {id: $id}) RETURN g.name",
                       examples=["MATCH (m:`biolink:Genotype`)-[r:`biolink:has_phenotype`]->(p) "
                                 "WHERE r.p_value < $p RETURN m.id, p.id, r.p_value LIMIT 10"])
    parameters: dict[str, Any] = Field(default_factory=dict,
                                       description="query parameters ($name in the query), sent as "
                                                   "driver parameters, never spliced into the text",
                                       examples=[{"p": 1e-6}])


RESPONSES = {
    400: {"description": "malformed query (Neo4j's message), or the answer exceeds the row cap"},
    403: {"description": "a write or admin clause (CREATE, MERGE, DELETE, SET, LOAD CSV, "
                         "CALL dbms.*, ...): refused before sending"},
    503: {"description": "no Neo4j configured, Neo4j unreachable, or the query ran past the timeout"},
}


@router.post("/cypher", summary="Run a read-only Cypher query on the configured Neo4j",
             responses=RESPONSES)
def run_cypher(request: Request, body: CypherRequest) -> dict[str, Any]:
    """Rows are objects keyed by column; nodes come back as ``{labels, properties}``,
    relationships as ``{type, start, end, properties}`` (start/end are node ids)."""
    service: cypher.CypherService = request.app.state.cypher
    try:
        res = service.run(body.query, body.parameters)
    except cypher.CypherError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return {"columns": res.columns, "count": len(res.rows), "elapsed_ms": round(res.elapsed_ms, 1),
            "rows": res.rows}
