"""Demo content for Coup de pouce: a fictional town, Beaupré-sur-Loire, and its projects.

`content` holds the texts and figures, `images` draws the illustrations with Pillow,
`loader` builds everything (idempotently) with the apps' factories. Run it with
`python manage.py load_demo_data`.
"""
