"""Renderers for the sample evidence: layouts (page bodies), chrome (desktop/phone frames), photos, PDFs and
the degradations that make defective variants. Every renderer records where it drew each fact (a `Sheet`'s
elements) so the ground truth follows the pixels through crops, scaling and perspective.
"""
