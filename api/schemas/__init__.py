"""marshmallow schemas: requests are loaded and answers dumped through these, at the edge only."""
