"""HTTP routes of the server beside the Streamlit pages: local sign-in and sign-out with their cookie."""
