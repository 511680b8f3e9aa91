# Converts depositd JSON Lines events into one EventBatch in protobuf text
# format (for protoc --encode). Timestamps (RFC 3339, Z) become {seconds}.
import json, re, sys, calendar, time
def snake(k): return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), k)
def ts(s):
    m = re.match(r'(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$', s)
    assert m, s
    return calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))
TS = {'occurred_at','entity_last_closed_at','discount_clawback_until','notified_at',
      'appeal_deadline','response_due_at','due_at','expires_at'}
def emit(obj, ind):
    out = []
    for k, v in obj.items():
        f = snake(k)
        if isinstance(v, dict):
            out.append('%s%s {' % (ind, f)); out += emit(v, ind + '  '); out.append(ind + '}')
        elif f in TS:
            out.append('%s%s { seconds: %d }' % (ind, f, ts(v)))
        elif isinstance(v, bool):
            out.append('%s%s: %s' % (ind, f, 'true' if v else 'false'))
        elif isinstance(v, (int, float)):
            out.append('%s%s: %s' % (ind, f, v))
        elif f == 'minor_units':
            out.append('%s%s: %s' % (ind, f, v))
        elif re.match(r'^[A-Z][A-Z0-9_]+$', v) and f in ('kind','status','category','outcome','state'):
            out.append('%s%s: %s' % (ind, f, v))
        else:
            out.append('%s%s: %s' % (ind, f, json.dumps(v)))
    return out
print('batch_seq: %s' % sys.argv[1])
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith('#'): continue
    print('events {'); print('\n'.join(emit(json.loads(line), '  '))); print('}')
