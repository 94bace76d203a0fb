-- Rasa's SQL tracker store lives in its own database beside the casework database.
CREATE DATABASE rasa OWNER asb;
