// Runs every graphql-http server audit against URL and prints the results as JSON lines' array.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const requirement = audit.name.split(' ')[0];
  try {
    const result = await audit.fn();
    const entry = { id: result.id, name: result.name, requirement, status: result.status };
    if (result.status !== 'ok') {
      entry.reason = result.reason;
      entry.httpStatus = result.response ? result.response.status : null;
    }
    results.push(entry);
  } catch (err) {
    results.push({ id: audit.id, name: audit.name, requirement, status: 'error', reason: `audit threw: ${err}` });
  }
}
console.log(JSON.stringify(results, null, 2));
