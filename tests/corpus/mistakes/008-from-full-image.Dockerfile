# mistake: the full python:3.12 image (about 1 GB) instead of slim
# source: https://techmarmot.com/post/1160/engineering-scalable-python-web-services-an-exhaustive-guide-to-dockerizing-flask-applications/
# lesson: lesson1
# expect: base-image-variant
FROM python:3.12
