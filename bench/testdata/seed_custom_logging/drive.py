"""Drive the seed's CustomLogging: log N ~100-byte events, purge, report.

usage: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:PORT python3 drive.py GROUP STREAM N
Prints: events=N seconds=S
"""
import logging
import sys
import time

import custom_logging

group, stream, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
log = custom_logging.createPolymorphicLogger('cloud-watch', group, stream, logging.INFO, 'seed', '#mini')
payload = 'x' * 80
start = time.perf_counter()
for i in range(n):
  log.info('%08d %s' % (i, payload))
log.purge()
elapsed = time.perf_counter() - start
print('events=%d seconds=%.6f' % (n, elapsed))
