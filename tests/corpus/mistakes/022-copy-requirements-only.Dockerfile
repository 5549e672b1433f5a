# mistake: copied requirements.txt alone; the app's code never reaches the image
# source: https://github.com/vithursant/MagnetLoss-PyTorch/pull/4
# lesson: lesson3
# expect: copy-whole-app
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY requirements.txt .
