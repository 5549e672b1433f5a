# mistake: pip install flask by name, unpinned, instead of -r requirements.txt
# source: https://pythonspeed.com/articles/dockerizing-python-is-hard/
# lesson: lesson5
# expect: pip-install-requirements
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir flask uwsgi
