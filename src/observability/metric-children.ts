/**
 * prom-client hashes a label object (keys sorted, values joined) on every inc/observe/set. The hot
 * metrics are updated several times per request with a handful of label combinations, so each call site
 * keeps the labelled children it has made, keyed by the label values in the order it passes them.
 */
export function labelledChildren<Labels extends Record<string, string>, Child>(metric: {
  labels(labels: Labels): Child;
}): (labels: Labels) => Child {
  const children = new Map<string, Child>();
  return (labels) => {
    const key = Object.values(labels).join('\u0000');
    let child = children.get(key);
    if (!child) {
      child = metric.labels(labels);
      children.set(key, child);
    }
    return child;
  };
}
