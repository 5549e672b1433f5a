# mistake: JSON-form CMD with the program and its argument in one element, so Docker looks for a program named "/bin/bash ./bin/run_dev.sh"
# source: https://github.com/balena-io-library/resin-rpi-raspbian/pull/33
# lesson: lesson7
# expect: cmd-program-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["/bin/bash ./bin/run_dev.sh"]
