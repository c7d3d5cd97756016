"""Parts of the demo-city generator ``scripts/make_demo.py``, one module per job."""
