"""Safety Net dashboard: Streamlit pages over what analysis/ computes."""
