/** Page-wide state shared by both devices and the server controls: the selected conversation. */
export class Selection {
  private id: string | null = null;
  private readonly listeners = new Set<(id: string | null) => void>();

  get current(): string | null {
    return this.id;
  }

  set(id: string | null): void {
    if (id === this.id) return;
    this.id = id;
    for (const fn of this.listeners) fn(id);
  }

  onChange(fn: (id: string | null) => void): void {
    this.listeners.add(fn);
  }
}
