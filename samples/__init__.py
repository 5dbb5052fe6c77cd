"""Sample evidence generator: realistic screenshots, photos and PDFs for sample claims and the calibration set.

`python -m samples.generate` renders everything deterministically from a seed (the generator is the source of
truth; generated binaries stay out of git). Nothing here is imported by the service itself.
"""
