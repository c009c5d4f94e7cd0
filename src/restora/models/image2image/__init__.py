"""Image-to-image translation generators (pix2pix)."""
