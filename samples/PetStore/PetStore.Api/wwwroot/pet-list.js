// The pets the page shows, kept current by the API's answers and by pet events. A reload replaces the
// list with the server's, then re-applies every change seen while it was in flight: the snapshot may
// predate an event the page already applied, and must not undo it.

export class PetList {
  #pets = new Map();
  #inFlight = new Set();

  /** Pets by id. */
  get pets() {
    return [...this.#pets.values()].sort((a, b) => a.id - b.id);
  }

  /** Replaces the list with what `fetchList` resolves to. */
  async load(fetchList) {
    const seen = [];
    this.#inFlight.add(seen);
    try {
      const pets = await fetchList();
      this.#pets = new Map(pets.map((pet) => [pet.id, pet]));
      for (const change of seen) this.#apply(change);
    } finally {
      this.#inFlight.delete(seen);
    }
  }

  /** A created or updated pet. */
  put(pet) {
    this.#record({ pet });
  }

  /** A deleted pet. */
  remove(id) {
    this.#record({ id });
  }

  #record(change) {
    for (const seen of this.#inFlight) seen.push(change);
    this.#apply(change);
  }

  #apply(change) {
    if (change.pet) this.#pets.set(change.pet.id, change.pet);
    else this.#pets.delete(change.id);
  }
}

/** "#7 Bubbles (available) [fish]", as the .NET demo prints pets. */
export function describePet(pet) {
  return `#${pet.id} ${pet.name} (${pet.status}) [${pet.tags.join(', ')}]`;
}
