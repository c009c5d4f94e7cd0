"""Faces: detection (MTCNN), landmarks, alignment and identity embeddings."""
