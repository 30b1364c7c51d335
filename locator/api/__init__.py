"""HTTP face: FastAPI app built by `create_app(settings)`; handlers only translate to the core."""
