# The Engram service (API + CLI). Neo4j runs in its own container (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
COPY pyproject.toml README.md ./
COPY server ./server
COPY cypher ./cypher
COPY seeds ./seeds
COPY graphql ./graphql
RUN pip install -e .
EXPOSE 8000
CMD ["engram", "up", "--no-seed"]
