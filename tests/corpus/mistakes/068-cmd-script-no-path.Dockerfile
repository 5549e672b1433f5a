# mistake: the script's name without its folder, looked up in PATH
# source: https://github.com/dedis/cothority/pull/1976
# lesson: lesson7
# expect: cmd-program-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["run_dev.sh"]
