"""French formatting shared by every entry point (pages, CLI, council sheet): no Streamlit here."""
