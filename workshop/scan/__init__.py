"""The scan pipeline: scanned pages and photos in, handwriting images filed to their cards' notes out.

The steps run in this order, one module each: ``loading`` checks a file and reads its pages,
``decoding`` finds the QR codes, ``geometry`` maps a card's millimetres onto the page from its QR
code's corners, ``ink`` decides written or blank, ``analysis`` runs these on one page (in a worker
process), ``images`` encodes and stores pictures, and ``filing`` writes the results through the
store. ``ingest`` ties them together for the command line and the staff page.
"""
