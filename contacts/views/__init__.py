"""The app's views, one module per page or concern: people, person, bulk, account, errors."""
