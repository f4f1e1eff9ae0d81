/**
 * A path segment as the client meant it: percent-decoded, or as sent when its encoding is malformed
 * (%zz), so the route answers it as an unknown id instead of failing the request.
 */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
