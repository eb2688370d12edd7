"""citekit's REST API (FastAPI): ``uvicorn --factory api.main:create_app``."""
