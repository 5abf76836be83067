/**
 * Console capture with a size bound: the first `headBytes` and the last `tailBytes` are kept, the
 * middle is counted and dropped. A guest that floods its console cannot grow the host's memory.
 */
export class BoundedText {
  private head = "";
  private tail = "";
  total = 0;

  constructor(readonly headBytes = 32 * 1024, readonly tailBytes = 96 * 1024) {}

  push(chunk: string): void {
    this.total += chunk.length;
    if (this.head.length < this.headBytes) {
      const room = this.headBytes - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk.length === 0) return;
    this.tail += chunk;
    // Trim only when well over the bound so pushing many small chunks stays linear.
    if (this.tail.length > 2 * this.tailBytes) this.tail = this.tail.slice(-this.tailBytes);
  }

  get dropped(): number {
    return Math.max(0, this.total - this.head.length - Math.min(this.tail.length, this.tailBytes));
  }

  text(): string {
    const tail = this.tail.slice(-this.tailBytes);
    return this.dropped > 0 ? `${this.head}\n[... ${this.dropped} characters dropped ...]\n${tail}` : this.head + tail;
  }
}
