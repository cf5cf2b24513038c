"""The REST API: Flask + Flask-RESTX under /api, reached through the asgiref bridge."""
